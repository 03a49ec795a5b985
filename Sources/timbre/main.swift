import TimbreCLI

CLIEntryPoint.main()
