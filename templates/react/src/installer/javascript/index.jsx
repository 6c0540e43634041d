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
  const updating = installType === 'update';

  const onSubmit = (submitted) => {
    setBusy(true);
    finishInstall(submitted)
      .then(({ onStatus }) => onStatus())
      // The installer page shows why saving or finishing failed; let the admin try again.
      .catch(() => setBusy(false));
  };

  return (
    <div className="install-screen">
      <p>
        {updating ? 'Update' : 'Install'} {dpapp.appTitle || 'this app'}: choose the greeting
        agents see in the sidebar.
      </p>
      <SettingsForm ref={form} settings={settings} values={values} onSubmit={onSubmit} />
      <button
        type="button"
        className="dpi-button btn-action"
        disabled={busy}
        onClick={() => form.current && form.current.submit()}
      >
        {updating ? 'Save settings' : 'Install'}
      </button>
    </div>
  );
}
