// A job → its progress page: a title per kind, the state in words (never by colour alone), links
// to its files once done, and where to go next.

import { paths } from '../../paths.ts';
import type { JobState, StoredFileInfo } from './job.service.ts';

const KINDS: Record<string, { title: string; section: string; back: { href: string; text: string } }> = {
  'board-pack': {
    title: 'Board pack files',
    section: 'board-pack',
    back: { href: paths.boardPack.show, text: 'Board pack' },
  },
  'indicator-import': {
    title: 'Indicator values import',
    section: 'indicators',
    back: { href: paths.indicators.import, text: 'Import indicator values' },
  },
};
const STATES = { queued: 'Waiting to start', running: 'In progress', done: 'Finished', failed: 'Failed' } as const;

const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

export interface JobView {
  id: string;
  /** This page: where "Check progress" leads. */
  href: string;
  title: string;
  section: string;
  back: { href: string; text: string };
  status: JobState['status'];
  statusText: string;
  progress: number;
  message: string;
  error: string | null;
  running: boolean;
  files: { href: string; name: string; size: string }[];
}

export function presentJob(job: JobState, files: StoredFileInfo[]): JobView {
  const kind = KINDS[job.kind] ?? { title: 'Background job', section: '', back: { href: paths.home, text: 'Home' } };
  return {
    id: job.id,
    href: paths.jobs.show(job.id),
    ...kind,
    status: job.status,
    statusText: STATES[job.status],
    progress: job.progress,
    message: job.message,
    error: job.error,
    running: job.status === 'queued' || job.status === 'running',
    files: files.map((f) => ({ href: paths.files.show(f.id), name: f.name, size: sizeText(f.size) })),
  };
}
