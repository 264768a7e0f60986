import { useApolloClient, useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { LoginDocument, RegisterCustomerDocument } from '../gql/graphql.ts';
import { href, navigate } from '../router.tsx';
import { signIn } from '../session.tsx';
import { fieldError, Problems } from '../ui/errors.tsx';
import { Field } from '../ui/field.tsx';

/** After signing in: the cart when it has something to order, else the account. */
function useSignedIn() {
  const client = useApolloClient();
  return async (token: string) => {
    await client.clearStore();
    signIn(token);
    navigate(localStorage.getItem('storefront.cart')?.includes('productId') ? 'cart' : 'account');
  };
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [login, { data, loading, error }] = useMutation(LoginDocument);
  const done = useSignedIn();
  const errors = data?.login.userErrors;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await login({ variables: { input: { email, password } } }).catch(() => undefined);
    const token = result?.data?.login.token;
    if (token) await done(token);
  };
  return (
    <section className="narrow" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <form onSubmit={submit} noValidate>
        <Problems errors={errors} error={error} />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError(errors, 'email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError(errors, 'password')}
        />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <a href={href('register')}>Create an account</a>
      </p>
    </section>
  );
}

export function RegisterPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '', phone: '' });
  const [register, { data, loading, error }] = useMutation(RegisterCustomerDocument);
  const done = useSignedIn();
  const errors = data?.registerCustomer.userErrors;
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { phone, ...rest } = form;
    const input = { ...rest, ...(phone.trim() ? { phone: phone.trim() } : {}) };
    const result = await register({ variables: { input } }).catch(() => undefined);
    const token = result?.data?.registerCustomer.token;
    if (token) await done(token);
  };
  return (
    <section className="narrow" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <form onSubmit={submit} noValidate>
        <Problems errors={errors} error={error} />
        <Field
          label="Name"
          autoComplete="name"
          required
          value={form.name}
          onChange={set('name')}
          error={fieldError(errors, 'name')}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={set('email')}
          error={fieldError(errors, 'email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 8 characters."
          value={form.password}
          onChange={set('password')}
          error={fieldError(errors, 'password')}
        />
        <Field
          label="Phone (optional)"
          type="tel"
          autoComplete="tel"
          hint="International format, e.g. +4915112345678."
          value={form.phone}
          onChange={set('phone')}
          error={fieldError(errors, 'phone')}
        />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <a href={href('login')}>Sign in</a>
      </p>
    </section>
  );
}
