import type { MyCreditQuery } from '../gql/graphql.ts';
import { formatDate, formatShortDate, titleCase } from '../ui/format.ts';

const MIN = 300;
const MAX = 850;

/** The credit score on its 300-850 scale, its band, and the changes that led to it. */
export function CreditPanel({ data }: { data: MyCreditQuery['me'] | undefined }) {
  const status = data?.creditStatus;
  return (
    <section className="panel" aria-labelledby="credit-title">
      <h2 id="credit-title">Credit score</h2>
      {status ? (
        <>
          <p className="score" data-testid="credit-score">
            <strong>{status.score}</strong>{' '}
            <span className={`badge band-${status.band.toLowerCase()}`}>{titleCase(status.band)}</span>
          </p>
          <meter min={MIN} max={MAX} low={580} high={740} optimum={850} value={status.score} aria-label="Credit score">
            {status.score}
          </meter>
          <p className="meta">Updated {formatDate(status.updatedAt)}</p>
          {status.history.length > 0 && (
            <table className="lines compact">
              <caption>Score history</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Change</th>
                  <th scope="col">Score</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {status.history.map((entry) => (
                  <tr key={`${entry.changedAt}-${entry.score}`}>
                    <td>{formatShortDate(entry.changedAt)}</td>
                    <td className={entry.delta >= 0 ? 'up' : 'down'}>
                      {entry.delta >= 0 ? `+${entry.delta}` : entry.delta}
                    </td>
                    <td>{entry.score}</td>
                    <td>{entry.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p>Your credit status is being set up.</p>
      )}
    </section>
  );
}
