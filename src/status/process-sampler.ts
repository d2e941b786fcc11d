/** CPU use of this process, as a percentage of one core over the interval between two samples. */
export class ProcessSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  cpuPercent = 0;

  sample(): void {
    const cpu = process.cpuUsage();
    const at = performance.now();
    const elapsedMs = at - this.lastAt;
    if (elapsedMs > 0) {
      const usedMs = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
      this.cpuPercent = Math.round((usedMs / elapsedMs) * 1000) / 10;
    }
    this.lastCpu = cpu;
    this.lastAt = at;
  }
}
