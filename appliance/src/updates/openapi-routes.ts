/** The updates routes as the OpenAPI document describes them (spread into http/openapi.ts). */
import type { RouteDoc } from '@ifec/http-kit';
import {
  maintenanceModeRequest,
  rolloutRequest,
  UPDATE_REFUSAL_CODES,
  unitReport,
  unitReportAnswer,
  updateAssignment,
  updateSource,
  updatesOverview,
  updatesPaths,
} from '@ifec/protocol';

const crew = ['crewToken'];
const seat = ['seatToken'];
const crewErrors = ['CREW_LOGIN_REQUIRED', 'ROLE_NOT_ALLOWED'] as const;

export const updatesRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: updatesPaths.assignment,
    summary: 'Seat unit: what to do now (install, roll back, or nothing and why)',
    security: seat,
    responses: { 200: { description: 'the assignment', schema: updateAssignment } },
    errors: ['SEAT_LOGIN_REQUIRED', 'UPDATE_TOO_FAST'],
  },
  {
    method: 'get',
    path: updatesPaths.bundle,
    summary: 'Seat unit: the verified load it was assigned (Range requests resume)',
    security: seat,
    responses: { 200: { description: 'the load', schema: 'binary' }, 206: 'part of it' },
    errors: ['SEAT_LOGIN_REQUIRED', 'UPDATE_NOT_ASSIGNED', 'UPDATE_TOO_FAST'],
  },
  {
    method: 'post',
    path: updatesPaths.report,
    summary: 'Seat unit: a step done (downloaded, installed, rebooted, healthy, failed, rolled-back)',
    security: seat,
    body: unitReport,
    responses: { 200: { description: 'the state and what the unit does next', schema: unitReportAnswer } },
    errors: ['SEAT_LOGIN_REQUIRED', 'UPDATE_NOT_ASSIGNED', 'UPDATE_STEP_OUT_OF_ORDER', 'UPDATE_TOO_FAST'],
  },
  {
    method: 'get',
    path: updatesPaths.crewOverview,
    summary: 'Maintenance: trusted versions, verified releases, the rollout and the version of each seat',
    security: crew,
    responses: { 200: { description: 'overview', schema: updatesOverview } },
    errors: [...crewErrors],
  },
  {
    method: 'post',
    path: updatesPaths.crewVerify,
    summary: 'Maintenance: verify the software a source offers (downlink store, a USB folder, HTTP) with TUF',
    security: crew,
    body: updateSource,
    responses: { 200: 'trusted versions and verified releases' },
    errors: [...crewErrors, ...UPDATE_REFUSAL_CODES],
  },
  {
    method: 'post',
    path: updatesPaths.crewRollouts,
    summary: 'Maintenance: start a rollout (canary group first), at the gate only',
    security: crew,
    body: rolloutRequest,
    responses: { 201: 'rolloutId, canary, rest' },
    errors: [
      ...crewErrors,
      'UPDATE_NOT_ON_GROUND',
      'UPDATE_ROLLOUT_ACTIVE',
      'UPDATE_UNKNOWN_RELEASE',
      'UPDATE_INVALID_ROLLOUT',
    ],
  },
  {
    method: 'post',
    path: updatesPaths.crewStopRollout,
    summary: 'Maintenance: stop the running rollout (units mid-install roll back)',
    security: crew,
    responses: { 200: 'stopped' },
    errors: [...crewErrors, 'UPDATE_NO_ROLLOUT'],
  },
  {
    method: 'post',
    path: updatesPaths.crewMaintenanceMode,
    summary: 'Maintenance: the maintenance-mode switch (serve updates while parked off the gate)',
    security: crew,
    body: maintenanceModeRequest,
    responses: { 200: 'maintenanceMode' },
    errors: [...crewErrors, 'UPDATE_NOT_ON_GROUND'],
  },
];
