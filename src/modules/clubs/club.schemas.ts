// Input of benchmarking clubs (issue 11).

import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { addressName } from '../organisations/organisation.schemas.ts';
import { sharedCodeField } from '../indicators/indicator.schemas.ts';
import { integer, optionalText, optionalUkDate, requiredText, uuid } from '../../platform/validation.ts';

export const clubInput = z.object({
  name: requiredText('the club’s name', TEXT_LIMITS.title),
  description: optionalText('what the club compares', TEXT_LIMITS.description),
});

export const inviteInput = z.object({ member: addressName('the organisation to invite') });

export const baselineContribution = z.object({
  exerciseId: uuid('the diagnostic exercise'),
  embargoUntil: optionalUkDate('the date the figures may first be used'),
});

/** Withdrawing the consent to contribute an exercise's baseline: `version` is the consent's. */
export const baselineWithdrawal = z.object({
  exerciseId: uuid('the diagnostic exercise'),
  version: integer('the version', 1, 2_000_000_000),
});

export const indicatorContribution = z.object({
  indicator: requiredText('the indicator', TEXT_LIMITS.code),
  /** Blank: the indicator's own shared identifier (the service refuses when it has none). */
  sharedCode: sharedCodeField(),
  period: requiredText('the reporting period', TEXT_LIMITS.code),
  embargoUntil: optionalUkDate('the date the figure may first be used'),
});
