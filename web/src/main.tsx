import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@digdir/designsystemet-css';
import '@digdir/designsystemet-theme';
import './styles.css';
import { I18nProvider } from './i18n/index.js';
import { SessionProvider } from './session.js';
import { App } from './App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root"> for the app to mount.');
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </I18nProvider>
  </StrictMode>,
);
