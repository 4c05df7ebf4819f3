using AspireJobs.Bench;

return await Benchmark.RunAsync(args);
