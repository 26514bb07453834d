import { ARC_COLOUR_NAMES, ARC_PALETTE, inkFor } from '../grid/symbols';

export interface PaletteProps {
  colour: number;
  onPick: (colour: number) => void;
  showNumbers?: boolean;
}

/** The 10 ARC colour swatches; the picked one has the orange border of the ARC interface. Keys 0–9 pick too. */
export function Palette({ colour, onPick, showNumbers }: PaletteProps) {
  return (
    <div className="ed-palette" role="radiogroup" aria-label="Colour (keys 0–9)">
      {ARC_PALETTE.map((fill, c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={c === colour}
          aria-label={`colour ${c} ${ARC_COLOUR_NAMES[c]}`}
          title={`${c} ${ARC_COLOUR_NAMES[c]} (key ${c})`}
          className={`ed-swatch${c === colour ? ' ed-swatch-on' : ''}`}
          style={{ background: fill, color: inkFor(fill) }}
          onClick={() => onPick(c)}
          data-testid={`colour-${c}`}
        >
          {showNumbers ? c : ''}
        </button>
      ))}
    </div>
  );
}
