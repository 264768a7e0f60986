import { titleCase } from './format.ts';

const STEPS = ['PENDING', 'CONFIRMED', 'PAID'] as const;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{titleCase(status)}</span>;
}

/** Where an order is on its way: placed, stock reserved, paid (or how it ended instead). */
export function StatusSteps({ status }: { status: string }) {
  const reached = STEPS.indexOf(status as (typeof STEPS)[number]);
  if (reached < 0) {
    return (
      <p className="ended">
        This order was <StatusBadge status={status} />
      </p>
    );
  }
  const labels = { PENDING: 'Placed', CONFIRMED: 'Stock reserved', PAID: 'Paid' };
  return (
    <ol className="steps" aria-label="Order progress">
      {STEPS.map((step, index) => (
        <li key={step} className={index <= reached ? 'done' : ''} aria-current={index === reached ? 'step' : undefined}>
          {labels[step]}
        </li>
      ))}
    </ol>
  );
}
