import AshbTop

AshbTopCommand.main()
