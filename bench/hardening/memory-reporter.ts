// Loaded into the gateway process with `node --import`: reports its memory and open handles to the bench over IPC.
const REPORT_MS = 250;

setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    handles: process.getActiveResourcesInfo().length,
  });
}, REPORT_MS).unref();
