import { createRoot } from 'react-dom/client';
import { EngineCheck } from './ui/EngineCheck';

createRoot(document.getElementById('root')!).render(<EngineCheck />);
