// Table types of benchmarking clubs (issue 11). Owned by src/modules/clubs; migration 2026-12-04-120-clubs.

import type { ColumnType, Generated } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface BenchmarkClubTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  description: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
  version: Generated<number>;
}

export interface ClubMemberTable {
  id: Generated<string>;
  organisation_id: string;
  club_id: string;
  invited_by: string;
  invited_at: Generated<Date>;
  joined_at: NullableTimestamp;
  left_at: NullableTimestamp;
  version: Generated<number>;
}

export interface ClubFigureTable {
  id: Generated<string>;
  organisation_id: string;
  club_id: string;
  metric: string;
  label: string;
  unit: 'percent' | 'number' | 'pounds';
  direction: 'lower-is-better' | 'higher-is-better';
  period: string;
  value: ColumnType<string, string | number, string | number>;
  source: 'baseline' | 'indicator' | 'illustrative';
  source_id: string | null;
  embargo_until: ColumnType<string | null, string | null | undefined, string | null>;
  contributed_by: string;
  contributed_at: Generated<Date>;
  withdrawn_at: NullableTimestamp;
}

/** A member's consent to contribute an exercise's baseline to a club, following it (migration 2026-12-09-500). */
export interface ClubBaselineConsentTable {
  id: Generated<string>;
  organisation_id: string;
  club_id: string;
  exercise_id: string;
  embargo_until: ColumnType<string | null, string | null | undefined, string | null>;
  consented_by: string;
  consented_at: Generated<Date>;
  withdrawn_at: NullableTimestamp;
  version: Generated<number>;
}

export interface ClubTables {
  benchmark_club: BenchmarkClubTable;
  club_member: ClubMemberTable;
  club_figure: ClubFigureTable;
  club_baseline_consent: ClubBaselineConsentTable;
}
