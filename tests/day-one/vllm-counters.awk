# Two days (2,880 minutes) of vLLM counters in OpenMetrics text for promtool, ending at unix time `end` (a minute boundary).
# Requests per minute follow a diurnal curve (mean about 600/min, peak at 14:00 UTC) with seeded noise; prompt and output
# tokens per request vary by hour. Samples every 15 s; the vLLM process restarts (counters to 0) at minute 2,000.
BEGIN {
  srand(14); minutes = 2880; start = end - minutes * 60; pi = atan2(0, -1)
  s = 0; p = 0; o = 0; n = 0
  for (m = 0; m < minutes; m++) {
    t = start + m * 60
    hour = (t % 86400) / 3600
    rate = 600 * (1 + 0.6 * sin(2 * pi * (hour - 8) / 24)) * (0.9 + 0.2 * rand())
    q = int(rate / 4 + 0.5); pm = 900 + 40 * (int(hour) % 6); om = 120 + 10 * (int(hour) % 4)
    if (m == 0) { n++; T[n] = t; S[n] = 0; P[n] = 0; O[n] = 0 }
    for (k = 1; k <= 4; k++) {
      if (m == 2000 && k == 2) { s = 0; p = 0; o = 0 }
      s += q; p += q * pm; o += q * om
      n++; T[n] = t + 15 * k; S[n] = s; P[n] = p; O[n] = o
    }
  }
  print "# TYPE vllm:request_success counter"
  for (i = 1; i <= n; i++) printf "vllm:request_success_total{finished_reason=\"stop\",model_name=\"demo\"} %d %d\n", S[i], T[i]
  print "# TYPE vllm:prompt_tokens counter"
  for (i = 1; i <= n; i++) printf "vllm:prompt_tokens_total{model_name=\"demo\"} %d %d\n", P[i], T[i]
  print "# TYPE vllm:generation_tokens counter"
  for (i = 1; i <= n; i++) printf "vllm:generation_tokens_total{model_name=\"demo\"} %d %d\n", O[i], T[i]
  print "# TYPE vllm:num_requests_waiting gauge"
  for (i = 1; i <= n; i++) printf "vllm:num_requests_waiting{model_name=\"demo\"} 0 %d\n", T[i]
  print "# EOF"
}
