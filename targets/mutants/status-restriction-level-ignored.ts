/**
 * Breaks E9: restriction_level is a ChoiceField(21, 37) in PostHog (99 -> 400 invalid_choice);
 * this fork made it read-only, so DRF silently ignores the value and creates the dashboard.
 */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-restriction-level-ignored',
  description: 'POST dashboards with restriction_level 99 is accepted (201, the value ignored) instead of 400 invalid_choice.',
  catches: ['validation.status'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardFields() {
      return super.dashboardFields().filter(([name]) => name !== 'restriction_level');
    }
  })(),
});
