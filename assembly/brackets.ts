// Maintenance margin, bracket lookup and liquidation prices on flat bracket tables
// (layout: MAX_BRACKETS rows of BRACKET_FIELDS f64, see src/engine/layout.ts).
