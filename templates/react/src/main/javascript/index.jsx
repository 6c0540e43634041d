// The app's entry point: `deskpro package` compiles it (with esbuild) into assets/main.js.
// React and ReactDOM are not bundled: index.html loads them, and Deskpro's apps SDK, as globals.
import React from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';

const root = createRoot(document.getElementById('app'));

function describe(error) {
  if (!error) {
    return 'unknown error';
  }
  return error.message || (typeof error === 'string' ? error : JSON.stringify(error));
}

function ConnectionError({ error }) {
  return (
    <p className="dp-error" role="alert">
      Could not connect to Deskpro: {describe(error)}
    </p>
  );
}

const sdk = window.DeskproAppsSDKCore;
if (!sdk) {
  root.render(<ConnectionError error="the Deskpro apps SDK did not load" />);
} else {
  // createApp calls back with the client `dpapp`, or with an error when the helpdesk cannot be
  // reached (and again with an error if this callback throws).
  sdk.createApp((dpapp) => {
    if (!dpapp || typeof dpapp.getProperty !== 'function') {
      root.render(<ConnectionError error={dpapp} />);
      return;
    }
    root.render(<App dpapp={dpapp} />);
  });
}
