/**
 * ifec-appliance: the aircraft server's command line (bin/ifec-appliance.mjs runs it).
 *   ifec-appliance serve     start the appliance; configured by IFEC_* variables (src/config.ts)
 * `--help` prints the usage and exits 0; no command or an unknown one prints it and exits 2.
 */
export const APPLIANCE_USAGE = `usage:
  ifec-appliance serve     start the appliance (HTTP, MQTT, HLS origin); stops on SIGTERM or SIGINT
environment: IFEC_HTTP_PORT, IFEC_MQTT_PORT, IFEC_RTMP_PORT, IFEC_HOST, IFEC_DATA_DIR, IFEC_DEMO, ...
  (every key in appliance/src/config.ts; IFEC_CONFIG names a JSON file)
USB bundles on a stopped appliance: ifec-sync --help`;

export async function applianceCli(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${APPLIANCE_USAGE}\n`);
    return 0;
  }
  if (argv.length === 1 && argv[0] === 'serve') {
    // Loaded here, not at the top: --help and a typo answer without loading the whole server.
    const { runAppliance } = await import('./main.ts');
    await runAppliance();
    return 0;
  }
  process.stderr.write(
    `ifec-appliance: ${argv.length ? `unknown command: ${argv.join(' ')}` : 'no command'}\n${APPLIANCE_USAGE}\n`,
  );
  return 2;
}
