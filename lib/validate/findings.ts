/** One problem found by `edgefleet validate`: where, and what is wrong. */
export interface Finding {
  /** File, relative to the validated folder. */
  readonly file: string;
  /** The object, as `Kind/namespace/name` (or `Kind/name`), or `-` for a problem of the file itself. */
  readonly object: string;
  /** JSON path inside the object (`spec.template.spec.containers[0].image`), or `-`. */
  readonly path: string;
  /** What is wrong, and what is expected. */
  readonly message: string;
  /** For a warning, what kind of advice it is: the text report shows the warnings of one kind together. @default - the message */
  readonly kind?: string;
}
