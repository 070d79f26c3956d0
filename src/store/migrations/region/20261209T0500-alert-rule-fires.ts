import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';
import { big } from '../column-types.js';

/**
 * When each issue alert rule last fired for each issue: the row a digest transaction claims with a
 * conditional upsert, so that one rule notifies about one issue once per its `frequency`, however
 * many nodes digest that events at once. `rule_id` names a row of `alert_rules` without a
 * foreign key, so that digest's claim does not lock the rule's row, and deleting a rule does not
 * touch its fires: rule ids are never reused, so a deleted rule's rows are never read again. Rows
 * go with their issue.
 */
export function alertRuleFires(_engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alert_rule_fires')
        .addColumn('rule_id', big, (c) => c.notNull())
        .addColumn('issue_id', big, (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('last_fired_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_rule_fires_pk', ['rule_id', 'issue_id'])
        .execute();
      // Deleting an issue (retention, the API) finds its rows here.
      await db.schema
        .createIndex('alert_rule_fires_issue_id')
        .on('alert_rule_fires')
        .column('issue_id')
        .execute();
    },
  };
}
