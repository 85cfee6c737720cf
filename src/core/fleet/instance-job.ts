/**
 * One instance's view of a fleet run: the Job a single run would get, with its log lines prefixed `[name]`, its
 * outputs and summary kept apart for the fleet's results (passed through when the fleet runs one instance, so that
 * every output is as a single run's), and its operations tracked in the step's list of what runs in Azure.
 */
import type { OutputName } from '../inputs/outputs';
import type { Job } from '../operations/operation';
import type { Logger } from '../ports';

export interface InstanceJob {
  job: Job;
  /** The outputs the instance's run set. */
  outputs: Partial<Record<OutputName, string>>;
}

export function prefixedLogger(log: Logger, prefix: string): Logger {
  return {
    info: (message) => log.info(`${prefix}${message}`),
    warning: (message) => log.warning(`${prefix}${message}`),
    debug: (message) => log.debug(`${prefix}${message}`),
    debugEnabled: log.debugEnabled,
  };
}

export function instanceJob(parent: Job, serviceName: string, passThrough: boolean): InstanceJob {
  const log = prefixedLogger(parent.log, `[${serviceName}] `);
  const outputs: Partial<Record<OutputName, string>> = {};
  const started: string[] = [];
  const job: Job = {
    log,
    context: parent.context,
    deadline: parent.deadline,
    setOutput(name, value) {
      outputs[name] = value;
      if (passThrough) parent.setOutput(name, value);
    },
    saveJson: (stem, value) => parent.saveJson(stem, value),
    summary: passThrough ? parent.summary : { rows: [], sections: [] },
    trackOperation(label, url) {
      started.push(url);
      parent.trackOperation(`[${serviceName}] ${label}`, url, { summary: passThrough });
    },
    operationMoved(from, to) {
      const index = started.indexOf(from);
      if (index >= 0) started[index] = to;
      parent.operationMoved(from, to);
    },
    operationFinished(url) {
      parent.operationFinished(url);
    },
    get running() {
      return parent.running.filter(({ url }) => started.includes(url));
    },
    get operationUrl() {
      return job.running.at(-1)?.url;
    },
    done: [],
    apim: (instance) => parent.apim(instance, log),
    catalog: () => parent.catalog(),
    instances: (scope) => parent.instances(scope),
    arm: () => parent.arm(),
    signedInAs: parent.signedInAs,
  };
  return { job, outputs };
}
