/** Pod annotation that asks the metrics agent to scrape a pod, with `prometheus.io/port` and `prometheus.io/path`. */
export const SCRAPE_ANNOTATIONS = { scrape: 'prometheus.io/scrape', port: 'prometheus.io/port', path: 'prometheus.io/path' };
