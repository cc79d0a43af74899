import type { Patient } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { patientHref } from '../app/route';
import { SeriesNoticePanel } from './SeriesNoticePanel';

function Found({ id, simulated }: { id: string; simulated: boolean }) {
  const { data } = useApiData<Patient[]>(`/api/patients?q=${encodeURIComponent(id)}&limit=5`);
  const p = data?.find((x) => x.sitePatientId.toLowerCase() === id.toLowerCase());
  if (!data) return null;
  if (!p) return <p className="hint" data-testid="admit-patient-new">No patient {id} on file: admission creates one.</p>;
  if (p.simulated !== simulated) return <p className="form-error" data-testid="admit-patient-kind">{p.simulated ? 'This is a simulated patient: tick Simulated.' : 'This is a real patient: a simulated session cannot use it.'}</p>;
  return (
    <div className="admit-patient" data-testid="admit-patient-found">
      <p>
        On file: <a href={patientHref(p.id)}>{p.sitePatientId}</a>, born {p.yearOfBirth ?? '—'}
        {p.allergies.length ? `; allergies: ${p.allergies.join(', ')}` : ''}
        {p.contraindications.length ? `; contraindications on file: ${p.contraindications.join(', ')}` : ''}
      </p>
      <SeriesNoticePanel path={`/api/patients/${p.id}/series`} />
    </div>
  );
}

/** At admission: the patient the typed site id names, with the course so far (Q3, Q8), or that a new one will be created. */
export function PatientOnFile({ sitePatientId, simulated }: { sitePatientId: string; simulated: boolean }) {
  if (!sitePatientId) return null;
  return <Found key={sitePatientId} id={sitePatientId} simulated={simulated} />;
}
