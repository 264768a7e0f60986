import { useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { type EmploymentStatus, type MyActivityQuery, SetFinancialProfileDocument } from '../gql/graphql.ts';
import { fieldError, Problems } from '../ui/errors.tsx';
import { Field } from '../ui/field.tsx';
import { titleCase } from '../ui/format.ts';

type Profile = NonNullable<NonNullable<MyActivityQuery['me']>['financialProfile']>;
const STATUSES: EmploymentStatus[] = ['EMPLOYED', 'SELF_EMPLOYED', 'RETIRED', 'STUDENT', 'UNEMPLOYED'];

/** The financial profile the risk assessment is computed from; amounts are decimal strings. */
export function FinancialProfileForm({ current, onSaved }: { current: Profile | null; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({
    annualIncome: current?.annualIncome ?? '',
    monthlyDebts: current?.monthlyDebts ?? '',
    totalAssets: current?.totalAssets ?? '',
    employmentStatus: current?.employmentStatus ?? ('EMPLOYED' as EmploymentStatus),
  });
  const [save, { data, loading, error }] = useMutation(SetFinancialProfileDocument);
  const errors = data?.setFinancialProfile.userErrors;
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await save({ variables: { input: form } }).catch(() => undefined);
    if (result?.data?.setFinancialProfile.financialProfile) {
      setOpen(false);
      onSaved();
    }
  };
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {current ? 'Update financial profile' : 'Add financial profile'}
      </button>
    );
  }
  return (
    <form onSubmit={submit} className="stacked" noValidate>
      <Problems errors={errors} error={error} />
      <Field
        label="Annual income"
        inputMode="decimal"
        value={form.annualIncome}
        onChange={set('annualIncome')}
        error={fieldError(errors, 'annualIncome')}
      />
      <Field
        label="Monthly debts"
        inputMode="decimal"
        value={form.monthlyDebts}
        onChange={set('monthlyDebts')}
        error={fieldError(errors, 'monthlyDebts')}
      />
      <Field
        label="Total assets"
        inputMode="decimal"
        value={form.totalAssets}
        onChange={set('totalAssets')}
        error={fieldError(errors, 'totalAssets')}
      />
      <div className="field">
        <label htmlFor="employment">Employment</label>
        <select id="employment" value={form.employmentStatus} onChange={set('employmentStatus')}>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {titleCase(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={loading}>
          Save
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
