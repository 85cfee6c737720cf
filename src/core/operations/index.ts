/** Every operation, by the name users give in `operation`. */
import type { CommonConfig } from '../inputs/config';
import type { OperationName } from '../inputs/table';
import { backup } from './backup';
import { check } from './check';
import { copy } from './copy';
import { discover } from './discover';
import { list } from './list';
import type { Operation } from './operation';
import { prune } from './prune';
import { restore } from './restore';
import { status } from './status';
import { verify } from './verify';

export const OPERATION_MODULES: Record<OperationName, Operation<CommonConfig>> = {
  backup,
  restore,
  copy,
  list,
  verify,
  prune,
  status,
  discover,
  check,
};
