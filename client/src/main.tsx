import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { checkLogin } from './auth/authActions';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// The login cookie survives a reload: ask the server whether it is still a login.
void checkLogin();

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
