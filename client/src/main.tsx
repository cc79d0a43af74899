import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { SocketContext } from './app/socketContext';
import { startLiveUpdates } from './realtime/liveUpdates';
import { createDashboardSocket } from './socket';
import './styles.css';

const socket = createDashboardSocket();
startLiveUpdates(socket);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <SocketContext value={socket}>
      <App />
    </SocketContext>
  </StrictMode>,
);
