print("timbred")
