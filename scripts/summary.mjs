// Mean ± sample standard deviation of a run's figures over seeds, as the tables print them
// (one value: the value).
export function summary(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return mean.toFixed(2);
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return `${mean.toFixed(2)} ± ${sd.toFixed(2)}`;
}
