/** Breaks §1.4: exceptions_hog sets `attr` to the invalid field's name; this handler reports every validation error as non-field (attr null). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';
import type { FieldError } from '../reference/drf.js';

export default defineMutant({
  id: 'status-validation-attr-null',
  description: 'A 400 validation_error does not name the invalid field: attr is always null.',
  catches: ['validation.error-body'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    validationError(e: FieldError) {
      return super.validationError({ ...e, attr: null });
    }
  })(),
});
