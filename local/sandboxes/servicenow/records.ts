/**
 * The ServiceNow sandbox's tables: requested items (sc_req_item) and the journal (sys_journal_field)
 * where work notes land. As in ServiceNow, every field value is a string, references render as
 * `{link, value}`, every update bumps `sys_mod_count`, and a journal field (`work_notes`) written
 * through the Table API reads back as "" while the entry itself goes to sys_journal_field.
 */
import { randomBytes } from 'node:crypto';

export interface SnRecord {
  sys_id: string;
  fields: Record<string, string>;
  /** Reference fields: name -> [table, sys_id]. */
  references: Record<string, [string, string]>;
  /** Catalog variables, as the business rule reads them (not Table API fields). */
  variables: Record<string, string>;
}

export interface JournalEntry {
  sys_id: string;
  element_id: string;
  element: string;
  name: string;
  value: string;
  sys_created_on: string;
  sys_created_by: string;
}

export const newSysId = (): string => randomBytes(16).toString('hex');

/** ServiceNow's date-time format: `2016-01-22 14:12:37` (UTC). */
export const snTime = (date = new Date()): string => date.toISOString().slice(0, 19).replace('T', ' ');

export const JOURNAL_FIELDS = new Set(['work_notes', 'comments']);

export class ServiceNowState {
  readonly items = new Map<string, SnRecord>();
  readonly journal: JournalEntry[] = [];
  private counter = 10000;

  clear(): void {
    this.items.clear();
    this.journal.length = 0;
    this.counter = 10000;
  }

  createItem(
    fields: Record<string, string>,
    references: Record<string, [string, string]> = {},
    variables: Record<string, string> = {},
  ): SnRecord {
    const now = snTime();
    const record: SnRecord = {
      sys_id: newSysId(),
      fields: {
        number: `RITM00${++this.counter}`,
        state: '1',
        stage: 'request_approved',
        approval: 'approved',
        active: 'true',
        short_description: '',
        sys_mod_count: '0',
        sys_created_on: now,
        sys_updated_on: now,
        sys_created_by: 'admin',
        sys_updated_by: 'admin',
        ...fields,
      },
      references,
      variables,
    };
    this.items.set(record.sys_id, record);
    return record;
  }

  update(record: SnRecord, changes: Record<string, unknown>, by: string): void {
    for (const [field, value] of Object.entries(changes)) {
      const text = String(value);
      if (JOURNAL_FIELDS.has(field)) {
        if (text !== '')
          this.journal.push({
            sys_id: newSysId(),
            element_id: record.sys_id,
            element: field,
            name: 'sc_req_item',
            value: text,
            sys_created_on: snTime(),
            sys_created_by: by,
          });
      } else if (field !== 'sys_id' && !field.startsWith('sys_')) {
        // ServiceNow ignores what it cannot write (system fields); the rest is stored as text.
        record.fields[field] = text;
      }
    }
    record.fields.sys_mod_count = String(Number(record.fields.sys_mod_count ?? '0') + 1);
    record.fields.sys_updated_on = snTime();
    record.fields.sys_updated_by = by;
  }

  render(record: SnRecord, baseUrl: string): Record<string, unknown> {
    const references = Object.fromEntries(
      Object.entries(record.references).map(([field, [table, id]]) => [
        field,
        { link: `${baseUrl}/api/now/table/${table}/${id}`, value: id },
      ]),
    );
    return {
      ...record.fields,
      ...references,
      ...Object.fromEntries([...JOURNAL_FIELDS].map((f) => [f, ''])),
      sys_id: record.sys_id,
    };
  }
}
