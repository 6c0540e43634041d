import React, { useCallback, useEffect, useState } from 'react';

function describe(error) {
  if (!error) {
    return 'unknown error';
  }
  return error.message || (typeof error === 'string' ? error : JSON.stringify(error));
}

// Reads what the sidebar shows: the greeting (an app setting), the agent and the ticket.
async function load(dpapp) {
  const [greeting, me] = await Promise.all([
    dpapp.storage.getAppStorage('greeting', 'Hello'),
    dpapp.context.getMe().catch(() => null),
  ]);
  let ticket = null;
  if (dpapp.context.available('ticket')) {
    const object = dpapp.context.get('ticket');
    const [subject, email] = await Promise.all([
      object.get('data.subject'),
      object.get('data.person_email'),
    ]);
    ticket = { id: object.id, subject, email };
  }
  return { greeting, me, ticket };
}

function Details({ ticket }) {
  if (!ticket) {
    return <p className="dp-muted">Open a ticket to see its details here.</p>;
  }
  return (
    <dl className="dp-details">
      <dt>Ticket</dt>
      <dd>#{ticket.id}</dd>
      <dt>Subject</dt>
      <dd>{ticket.subject || '—'}</dd>
      <dt>Owner's e-mail</dt>
      <dd>{ticket.email || '—'}</dd>
    </dl>
  );
}

export default function App({ dpapp }) {
  const [state, setState] = useState({ loading: true, data: null, error: null });

  const refresh = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true, error: null }));
    load(dpapp).then(
      (data) => setState({ loading: false, data, error: null }),
      (error) => setState({ loading: false, data: null, error }),
    );
  }, [dpapp]);

  useEffect(refresh, [refresh]);

  const { loading, data, error } = state;
  return (
    <main>
      <h1>{dpapp.appTitle || 'Deskpro app'}</h1>
      {data && data.me && data.me.name ? (
        <p>
          {data.greeting}, {data.me.name}.
        </p>
      ) : null}
      {loading ? <p className="dp-muted">Loading…</p> : null}
      {error ? (
        <p className="dp-error" role="alert">
          Could not read the ticket: {describe(error)}
        </p>
      ) : null}
      {data ? <Details ticket={data.ticket} /> : null}
      <button type="button" onClick={refresh} disabled={loading}>
        Refresh
      </button>
    </main>
  );
}
