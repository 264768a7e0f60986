import type { ErrorLike } from '@apollo/client';

export interface UserError {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

/**
 * What went wrong, said once at the top of a form and announced to screen readers: the API's
 * userErrors (business rules, with the input path) and any GraphQL or network error.
 */
export function Problems({ errors, error }: { errors?: readonly UserError[] | null; error?: ErrorLike | null }) {
  const messages = [...(errors ?? []).map((entry) => entry.message), ...(error ? [describe(error)] : [])];
  if (messages.length === 0) return null;
  return (
    <div className="problems" role="alert">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The message for one input (matched on the last element of the error's field path). */
export function fieldError(errors: readonly UserError[] | null | undefined, name: string): string | undefined {
  return errors?.find((entry) => entry.field?.[entry.field.length - 1] === name)?.message;
}

function describe(error: ErrorLike): string {
  const text = error.message || 'Something went wrong';
  if (/UNAUTHENTICATED|token/i.test(text)) return 'Your session has ended. Please sign in again.';
  if (/Failed to fetch|NetworkError|status code (404|5\d\d)/i.test(text)) {
    return 'The store cannot be reached right now. Please try again.';
  }
  return text;
}
