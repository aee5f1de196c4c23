import { render } from 'preact';
import './styles.css';
import { applyTheme } from './prefs.js';
import { App } from './app.jsx';

applyTheme();
render(<App />, document.getElementById('app'));
