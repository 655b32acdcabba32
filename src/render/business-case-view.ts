// The outline business case as every output sees it (page, PDF, Word): the five cases as text,
// each option's cash flows by year and category, its Green Book appraisal and sensitivities as
// tables of formatted text, and a chart of its net and cumulative flows with the chart's own
// data table. Built by the efficiency presenter; renderers never compute.

export interface TextTable {
  caption: string;
  headings: string[];
  /** `header` is the row's first cell (a th); `strong` rows are totals. */
  rows: { header: string; cells: string[]; strong?: boolean }[];
  /** Right-align every column after the first (figures). */
  numeric: boolean;
}

export interface ChartView {
  svg: string;
  /** What the chart shows, in words: its alternative text. */
  description: string;
  table: TextTable;
}

export interface OptionView {
  name: string;
  description: string[];
  /** "Business as usual", "Preferred option": said in words, never by colour alone. */
  tags: string[];
  cashFlows: TextTable;
  /** Each cost line's optimism bias: a Green Book category, or a stated percentage with its reason (issue 12). */
  optimismBias?: TextTable;
  /** Net flows by year with the discount rate, factor and present value. */
  discounting: TextTable;
  appraisal: TextTable;
  sensitivities: TextTable;
  chart: ChartView;
  /** A sentence summarising the appraisal, for the economic case. */
  summary: string;
}

export interface BusinessCaseView {
  organisationName: string;
  exerciseName: string;
  title: string;
  /** "Draft" or "Approved by … on …". */
  status: string;
  approved: boolean;
  /** "Cash flows in £ thousands, real 2009/10 prices; year 0 is 2009/10 and is not discounted." */
  basis: string;
  /** The discount schedule the case uses, in words with its rates (issue 12). */
  discountSchedule?: string;
  sections: { key: string; heading: string; paragraphs: string[] }[];
  options: OptionView[];
  /** When the case relates to an opportunity: its title and savings range. */
  opportunity: string | undefined;
  updated: string;
}
