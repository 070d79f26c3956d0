import { NIL_CHECK_IN_ID, parseCheckIn } from '../../protocol/check-in.js';
import { generateEventId } from '../../protocol/event-id.js';
import { MONITOR_DEFAULTS } from '../../protocol/monitor-config.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { findLatestInProgressCheckInId, recordCheckIn } from '../../store/region/check-ins.js';
import {
  ensureMonitor,
  ensureMonitorEnvironment,
  findMonitorBySlug,
  updateMonitor,
} from '../../store/region/monitors.js';
import { findProjectById } from '../../store/region/projects.js';
import { waitForEarlierEnvelopes } from '../../store/region/raw-queue.js';
import type { ItemDigester } from '../item-digester.js';
import { recordMonitorFailure, recordMonitorSuccess, scheduleAfterCheckIn } from '../monitor-incidents.js';
import { readJsonObject } from './read-item.js';

function checkInOf(payload: Buffer) {
  try {
    return parseCheckIn(readJsonObject(payload));
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

/**
 * `check_in` items, `{check_in_id, monitor_slug, status, duration (seconds), environment,
 * monitor_config?}`. A `monitor_config` creates the monitor or updates its configuration; a
 * check-in for a monitor that does not exist and brings none is dropped, as is one for a disabled
 * monitor or one whose slug another project of the organization holds. Each run is kept; a later
 * check-in with the run's id closes it, and one with the nil id closes the latest run in progress
 * (or starts a new run when none is). Each new run schedules the next expected one; successes and
 * failures count towards the environment's incident.
 */
export const digestCheckIn: ItemDigester = async (ctx, item) => {
  const checkIn = checkInOf(item.payload);
  if (checkIn === undefined) return;
  const { trx, raw } = ctx;
  const project = await findProjectById(trx, raw.projectId);
  if (!project) return;
  const at = raw.receivedAt;
  let monitor = await findMonitorBySlug(trx, project.organizationId, checkIn.monitorSlug);
  if (monitor === undefined && checkIn.monitorConfig === null) {
    // A run's closing check-in carries no config: the monitor is made by the run's first one,
    // which another digest transaction may hold uncommitted. Once the project's earlier
    // envelopes are done, the monitor is there, or it never was.
    await waitForEarlierEnvelopes(trx, ctx.engine, raw);
    monitor = await findMonitorBySlug(trx, project.organizationId, checkIn.monitorSlug);
  }
  if (monitor === undefined) {
    if (checkIn.monitorConfig === null) return;
    monitor = await ensureMonitor(trx, {
      organizationId: project.organizationId,
      projectId: project.id,
      slug: checkIn.monitorSlug,
      name: checkIn.monitorSlug,
      status: 'active',
      isMuted: false,
      config: checkIn.monitorConfig,
      dateCreated: at,
    });
  } else if (checkIn.monitorConfig !== null && monitor.projectId === project.id) {
    await updateMonitor(trx, monitor.id, { config: checkIn.monitorConfig });
    monitor = { ...monitor, config: checkIn.monitorConfig };
  }
  if (monitor.projectId !== project.id || monitor.status === 'disabled') return;
  const environment = await ensureMonitorEnvironment(trx, monitor.id, checkIn.environment, at);
  const maxRuntime = (monitor.config.maxRuntime ?? MONITOR_DEFAULTS.maxRuntimeMinutes) * 60_000;
  const checkInId =
    checkIn.checkInId === NIL_CHECK_IN_ID
      ? ((await findLatestInProgressCheckInId(trx, environment.id)) ?? generateEventId())
      : checkIn.checkInId;
  const recorded = await recordCheckIn(
    trx,
    {
      projectId: project.id,
      monitorEnvironmentId: environment.id,
      checkInId,
      monitorSlug: monitor.slug,
      status: checkIn.status,
      duration: checkIn.duration === null ? null : checkIn.duration * 1000,
      environment: environment.environment,
      dateCreated: at,
      expectedTime: null,
      timeoutAt: checkIn.status === 'in_progress' ? at + maxRuntime : null,
      data: readJsonObject(item.payload) ?? {},
    },
    at,
  );
  if (recorded.kind === 'ignored') return;
  if (recorded.kind === 'new') await scheduleAfterCheckIn(trx, monitor, environment, at);
  if (checkIn.status === 'ok') await recordMonitorSuccess(trx, monitor, environment, at);
  if (checkIn.status === 'error')
    await recordMonitorFailure(trx, ctx.engine, monitor, environment, 'error', at);
};
