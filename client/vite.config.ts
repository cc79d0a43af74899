import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves client/dist in production; in development Vite proxies the API and the socket to it.
const SERVER = 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      // Charts and other libraries change less often than the app: separate, cacheable chunks. Recharts
      // is loaded with the reports page only; its chunk must not pull React in, or every screen loads it.
      output: {
        codeSplitting: {
          groups: [
            { name: 'charts', test: /node_modules[\\/](d3-[^\\/]+|recharts|victory-vendor|@reduxjs|redux|react-redux|immer|reselect|es-toolkit|clsx|decimal\.js-light|eventemitter3|tiny-invariant|react-is|use-sync-external-store|internmap|redux-thunk|@standard-schema)[\\/]/, includeDependenciesRecursively: false },
            { name: 'vendor', test: /node_modules/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': SERVER,
      '/socket.io': { target: SERVER, ws: true },
    },
  },
});
