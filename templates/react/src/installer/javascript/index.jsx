// The app's custom install screen. `deskpro package` compiles it into the installer's assets;
// the installer page renders the default export with the installer's props:
//   finishInstall(values) -> Promise<{onStatus}>, installType ('install' | 'update'),
//   settings (the manifest's settings), values (the current values), settingsForm (a form
//   component with a submit() method on its ref) and dpapp (the SDK client).
import React, { useRef, useState } from 'react';

export default function InstallScreen({
  finishInstall,
  installType,
  settings,
  values,
  settingsForm: SettingsForm,
  dpapp,
}) {
  const form = useRef(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const onSubmit = (submitted) => {
    setBusy(true);
    setError(null);
    finishInstall(submitted)
      .then(({ onStatus }) => onStatus())
      .catch((reason) => {
        setBusy(false);
        setError(reason && reason.message ? reason.message : String(reason));
      });
  };

  return (
    <div className="install-screen">
      <p>
        {installType === 'update' ? 'Update' : 'Install'} {dpapp.appTitle || 'this app'}: choose
        the greeting agents see in the sidebar.
      </p>
      <SettingsForm ref={form} settings={settings} values={values} onSubmit={onSubmit} />
      {error ? <p className="install-screen__error">The settings could not be saved: {error}</p> : null}
      <button
        type="button"
        className="btn-action"
        disabled={busy}
        onClick={() => form.current && form.current.submit()}
      >
        {installType === 'update' ? 'Update settings' : 'Install'}
      </button>
    </div>
  );
}
