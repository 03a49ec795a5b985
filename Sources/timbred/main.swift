import TimbreService

#if canImport(Glibc)
import Glibc
#endif

exit(await TimbredMain.main())
