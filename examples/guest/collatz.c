/* Functions for examples/tracer.mjs and examples/count-engines.mjs. */
int collatz_steps(unsigned n) {
  int steps = 0;
  while (n != 1) {
    n = n & 1 ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

/* The longest Collatz chain below `limit`: a compute loop for comparing engines. */
unsigned longest_chain(unsigned limit) {
  unsigned best = 1, best_steps = 0;
  for (unsigned n = 1; n < limit; n++) {
    unsigned steps = collatz_steps(n);
    if (steps > best_steps) {
      best_steps = steps;
      best = n;
    }
  }
  return best;
}
