/**
 * status: waits (within timeout) for a backup or restore started earlier — by a step with `wait: false`, by a
 * cancelled step, or in another job — and ends as that operation would have. The URL is checked before any token
 * is requested: the step's Azure token goes to the configured Resource Manager host and nowhere else.
 */
import type { CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { checkOperationUrl, quoteUrl } from '../inputs/operation-url';
import { resumeHint } from '../report/resume-hint';
import { code } from '../report/summary';
import { addInstanceRows, describeInstance } from './describe';
import type { Operation } from './operation';

export interface StatusConfig extends CommonConfig {
  operationUrl: string;
  /** The instance named in the URL. */
  instance: Instance;
  wait: boolean;
}

export const status: Operation<StatusConfig> = {
  name: 'status',
  usesInstance: true,
  polls: true,
  configure(builder, common) {
    const raw = builder.required('operationUrl');
    const wait = builder.flag('wait');
    const empty = { subscriptionId: '', resourceGroup: '', serviceName: '' };
    if (!raw) return { ...common, operationUrl: '', instance: empty, wait };
    if (!common.cloud) return { ...common, operationUrl: raw, instance: empty, wait };
    const checked = checkOperationUrl(raw, common.cloud.resourceManagerEndpoint);
    if (!checked.ok) {
      builder.report(`${builder.name('operationUrl')} '${quoteUrl(raw)}' ${checked.problem}`);
      return { ...common, operationUrl: '', instance: empty, wait };
    }
    return { ...common, operationUrl: checked.url, instance: checked.instance, wait };
  },
  title: () => 'APIM operation status',
  action: (config) => `The operation on API Management instance '${config.instance.serviceName}'`,
  describe: (config) =>
    `${config.wait ? 'Waiting for' : 'Checking'} the operation at ${config.operationUrl} on ${describeInstance(config.instance)}. Timeout ${formatDuration(config.timing.timeoutMs)}.`,

  async run(config, job) {
    job.trackOperation('Operation', config.operationUrl);
    addInstanceRows(job, config.instance);
    const apim = await job.apim(config.instance);
    const startedAt = Date.now();
    const result = await apim.waitFor(config.operationUrl, {
      pollIntervalMs: config.timing.pollIntervalMs,
      label: 'Operation',
      once: !config.wait,
      startedAt,
      onStatus: (value) => {
        job.setOutput('operationStatus', value);
      },
      onUrl: (to, from) => job.operationMoved(from, to),
    });
    job.summary.rows.push(['Status', code(result)]);
    if (result === 'InProgress') {
      job.log.info(
        `The operation is still running in Azure (wait is false, so the step does not wait). ${resumeHint(config.profile, job.operationUrl ?? config.operationUrl)}`,
      );
      return;
    }
    const waited = Date.now() - startedAt;
    job.setOutput('durationSeconds', String(Math.round(waited / 1000)));
    job.summary.rows.push(['Waited', formatDuration(waited)]);
  },
};
