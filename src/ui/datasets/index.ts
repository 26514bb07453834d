/** The Datasets part of the playground; see DatasetsPanel for how to mount it. */
export { DatasetsPanel, type DatasetsPanelProps, type TrainRequest } from './DatasetsPanel';
export { ItemThumb, GridThumb, SudokuThumb } from './Thumbs';
export { entryKey, type DatasetSet, type Entry, type TrainingCollection } from './collection';
export type { DatasetItem, ItemKind } from './items';
export { useDatasets, loadPublic, loadLocal, generateBuiltin } from './store';
export { proceduralSet, sudokuSet, mazeSet } from './loaders';
export { publicUrlToLocalPath } from './url-map';
