// Mounts the panel. Everything else (engine, models) starts lazily on the first run.
import { render } from 'preact';
import { App } from './panel/App';
import './panel/styles.css';

render(<App />, document.getElementById('app')!);
