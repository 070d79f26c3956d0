import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { applyTheme, storedTheme } from './lib/theme.js';
import './styles.css';

// Before the first render, so that a chosen theme never flashes the other one.
applyTheme(storedTheme(), false);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
