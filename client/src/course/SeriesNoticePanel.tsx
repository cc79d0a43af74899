import type { SeriesNotice } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { shownText } from '../clinicianWords';

/**
 * What the course says at the start of a new session: infusions given in the last 12 months against
 * Q8's 6-12 a year, Q3's first-course check, and Q8's "reassess, not by rote", each with its source.
 * `path`: GET /api/sessions/:id/series (pre-infusion) or /api/patients/:id/series (admission).
 */
export function SeriesNoticePanel({ path }: { path: string }) {
  const { data, error } = useApiData<SeriesNotice | null>(path);
  if (error) return <p className="fetch-error">Course of treatment not available: {error}</p>;
  if (!data) return null;
  const over = data.infusionsLast12Months >= 12;
  return (
    <section className={`series-notice${over ? ' series-over' : ''}`} data-testid="series-notice" data-count={data.infusionsLast12Months}>
      <h4>Course of treatment</h4>
      <ul>
        <li data-testid="series-count">
          <strong>{data.perYearText}</strong>
          <span className="source">{shownText(data.perYearSource)}</span>
        </li>
        {data.firstCourse && (
          <li data-testid="series-first-course" data-adequate={data.firstCourse.adequate}>
            <strong>{data.firstCourse.text}</strong>
            <span className="source">{shownText(data.firstCourse.source)}</span>
          </li>
        )}
        <li data-testid="series-reassess">
          <strong>{data.reassessText}</strong>
          <span className="source">{shownText(data.reassessSource)}</span>
        </li>
      </ul>
    </section>
  );
}
