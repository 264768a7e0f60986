import { useQuery, useSubscription } from '@apollo/client/react';
import { MeDocument, MyActivityDocument, MyCreditDocument, MyOrderUpdatesDocument } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Problems } from '../ui/errors.tsx';
import { formatDate, titleCase } from '../ui/format.ts';
import { CreditPanel } from './credit.tsx';
import { FinancialProfileForm } from './financial-profile.tsx';
import { OrdersPanel } from './orders-panel.tsx';

/** The customer dashboard: profile, credit score with its history, risk, notifications and orders. */
export function AccountPage() {
  const session = useSession();
  const me = useQuery(MeDocument, { skip: !session, fetchPolicy: 'cache-and-network' });
  const credit = useQuery(MyCreditDocument, { skip: !session, fetchPolicy: 'cache-and-network' });
  const activity = useQuery(MyActivityDocument, { skip: !session, fetchPolicy: 'cache-and-network' });
  // Any change of one of my orders: the score, notifications and order list may have changed with it.
  useSubscription(MyOrderUpdatesDocument, {
    skip: !session,
    onData: () => {
      void credit.refetch();
      void activity.refetch();
    },
  });
  if (!session) {
    return (
      <p>
        <a href={href('login')}>Sign in</a> to see your account.
      </p>
    );
  }
  const profile = me.data?.me;
  const events = activity.data?.me;
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{profile ? `Hello, ${profile.name}` : 'My account'}</h1>
      <Problems error={me.error ?? credit.error ?? activity.error} />
      <div className="dashboard">
        <section className="panel" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          {profile && (
            <dl className="facts">
              <dt>Email</dt>
              <dd>{profile.email}</dd>
              <dt>Phone</dt>
              <dd>{profile.phone ?? '—'}</dd>
              <dt>Address</dt>
              <dd>{profile.address ?? '—'}</dd>
              <dt>Customer since</dt>
              <dd>{formatDate(profile.createdAt)}</dd>
            </dl>
          )}
        </section>
        <CreditPanel data={credit.data?.me} />
        <section className="panel" aria-labelledby="risk-title">
          <h2 id="risk-title">Risk assessment</h2>
          {credit.data?.me?.riskAssessment ? (
            <dl className="facts">
              <dt>Rating</dt>
              <dd>
                <span className={`badge risk-${credit.data.me.riskAssessment.rating.toLowerCase()}`}>
                  {titleCase(credit.data.me.riskAssessment.rating)}
                </span>
              </dd>
              <dt>Debt to income</dt>
              <dd>{(Number(credit.data.me.riskAssessment.debtToIncome) * 100).toFixed(1)}%</dd>
            </dl>
          ) : (
            <p>Add your financial profile to get a risk assessment.</p>
          )}
          <FinancialProfileForm current={events?.financialProfile ?? null} onSaved={() => void credit.refetch()} />
        </section>
        <OrdersPanel />
        <section className="panel" aria-labelledby="notifications-title">
          <h2 id="notifications-title">Notifications</h2>
          {events && events.notifications.length === 0 && <p>No notifications yet.</p>}
          <ul className="notifications">
            {events?.notifications.map((note) => (
              <li key={note.id}>
                <strong>{note.subject}</strong>
                <span>{note.body}</span>
                <small>{formatDate(note.createdAt)}</small>
              </li>
            ))}
          </ul>
        </section>
        <section className="panel" aria-labelledby="history-title">
          <h2 id="history-title">Account history</h2>
          <ul className="history">
            {events?.history.map((entry) => (
              <li key={`${entry.type}-${entry.occurredAt}`}>
                {titleCase(entry.type)} <small>{formatDate(entry.occurredAt)}</small>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </section>
  );
}
