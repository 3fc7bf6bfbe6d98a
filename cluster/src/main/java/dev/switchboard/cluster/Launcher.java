package dev.switchboard.cluster;

/**
 * Runs one launcher command: parses its options (flags, then environment), prints the help on
 * {@code --help}, exits with 2 and the help on bad input, with 1 when starting fails.
 */
public final class Launcher {

  /** What the command does with its parsed options. */
  @FunctionalInterface
  public interface Command {
    void run(CommandLine.Values values) throws Exception;
  }

  private Launcher() {
  }

  public static void run(CommandLine cli, String[] args, Command command) {
    CommonPool.ensureParallelism();
    try {
      CommandLine.Values values = cli.parse(args, System.getenv());
      if (values == null) {
        System.out.print(cli.help());
        return;
      }
      command.run(values);
    } catch (CommandLine.UsageException e) {
      System.err.println("error: " + e.getMessage() + "\n");
      System.err.print(cli.help());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("switchboard " + cli.name() + " failed: " + e);
      System.exit(1);
    }
  }
}
