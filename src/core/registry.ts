import type { SubjectRole, TestResult } from './credential.js';

/** A visitor pass as registered (estate plan, rule 1). Times in ms. */
export interface VisitorPassRecord {
  passId: string;
  hostHousehold: string;
  plate?: string;
  purpose?: string;
  origin?: string;
  /** Negative test shown at registration, if any. */
  test?: TestResult;
  validFrom: number;
  validUntil: number;
  revoked: boolean;
}

/** A resident or staff vehicle in the roster. */
export interface VehicleEntry {
  plate: string;
  household?: string;
  role: SubjectRole;
}

/**
 * What the estate has registered that a scanned code is checked against:
 * visitor passes and vehicles. The shell keeps it in memory, fed from the
 * store and from commands; the core only reads it.
 */
export interface Registry {
  /** Key of the visitor pass tags (derived from the estate key). */
  visitorKey: Buffer;
  visitorPass(passId: string): VisitorPassRecord | undefined;
  /** A pass registered for this (normalised) plate and valid at `at`, if any. */
  visitorPassForPlate(plate: string, at: number): VisitorPassRecord | undefined;
  vehicle(plate: string): VehicleEntry | undefined;
}

/** Plates as readers and people write them differ in case, spaces, dots and dashes. */
export function normalisePlate(plate: string): string {
  return plate.replace(/[\s.·-]/g, '').toUpperCase();
}

export function isPassValid(pass: VisitorPassRecord, at: number): boolean {
  return !pass.revoked && pass.validFrom <= at && at < pass.validUntil;
}

export const EMPTY_REGISTRY: Registry = {
  visitorKey: Buffer.alloc(32),
  visitorPass: () => undefined,
  visitorPassForPlate: () => undefined,
  vehicle: () => undefined,
};
