/** Where a bad value was found: the file, the 1-based data row, and the field. */
export interface ErrorPlace {
  file?: string;
  row?: number;
  field?: string;
}

/**
 * An error caused by the user's input (a file, a flag, a setting). The CLI prints its message
 * without a stack trace and exits with status 1.
 */
export class UserError extends Error {
  readonly place: ErrorPlace;
  constructor(message: string, place: ErrorPlace = {}) {
    super(formatPlace(place) + message);
    this.name = 'UserError';
    this.place = place;
  }
}

function formatPlace({ file, row, field }: ErrorPlace): string {
  const parts: string[] = [];
  if (file !== undefined) parts.push(file);
  if (row !== undefined) parts.push(`row ${row}`);
  if (field !== undefined) parts.push(`field '${field}'`);
  return parts.length ? parts.join(', ') + ': ' : '';
}
