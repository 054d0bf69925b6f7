# Installation and the Debian packages (included by the top CMakeLists.txt).
# `cmake --install` lays the files out as Debian does for OpenSC: the module in
# <libdir>/pkcs11 (lib/<multiarch>/pkcs11 with the /usr prefix), the p11-kit module
# file so p11-kit-aware programs find it with no configuration, a commented sample
# configuration at the path the module reads, a pkg-config file for the headers,
# the tools with their man pages, completion and catalogues. `cpack -G DEB` in a
# build configured with -DCMAKE_INSTALL_PREFIX=/usr makes three packages of them.

set(kzt_deb_module libkaztoken-pkcs11)
set(kzt_deb_dev libkaztoken-pkcs11-dev)
set(kzt_deb_tools kaztoken-tools)
configure_file(${CMAKE_CURRENT_LIST_DIR}/kaztoken.module.in ${CMAKE_BINARY_DIR}/kaztoken.module @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/kaztoken-pkcs11.pc.in ${CMAKE_BINARY_DIR}/kaztoken-pkcs11.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/conffiles.in ${CMAKE_BINARY_DIR}/deb/conffiles @ONLY)

# libkaztoken-pkcs11: what applications load
install(TARGETS kaztoken-pkcs11 LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkcs11 COMPONENT module)
install(FILES ${CMAKE_BINARY_DIR}/kaztoken.module DESTINATION ${CMAKE_INSTALL_DATADIR}/p11-kit/modules
        COMPONENT module)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/kaztoken.conf DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/kaztoken
        COMPONENT module)
install(FILES docs/configuration.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT module)
# libkaztoken-pkcs11-dev: the headers
install(DIRECTORY include/kaztoken DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${CMAKE_BINARY_DIR}/kaztoken-pkcs11.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
# kaztoken-tools: the control panel (when OpenSSL is there) and the virtual token
install(TARGETS kaztoken-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
if(TARGET kaztoken-tool)
  install(TARGETS kaztoken-tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
endif()
# (man pages compressed, as Debian's policy has them: gzip -n leaves no time stamp)
find_program(GZIP gzip REQUIRED)
set(kzt_pages tools/kaztoken-sim/kaztoken-sim.1)
if(TARGET kaztoken-tool)
  list(APPEND kzt_pages tools/kaztoken-tool/kaztoken-tool.1)
endif()
foreach(page ${kzt_pages})
  get_filename_component(name ${page} NAME)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${name}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${GZIP} -9 -n -c ${CMAKE_SOURCE_DIR}/${page} > ${CMAKE_BINARY_DIR}/man/${name}.gz
    DEPENDS ${page} VERBATIM)
  list(APPEND kzt_man_pages ${CMAKE_BINARY_DIR}/man/${name}.gz)
endforeach()
add_custom_target(kaztoken-man-pages ALL DEPENDS ${kzt_man_pages})
add_dependencies(kaztoken-sim kaztoken-man-pages)
install(FILES ${kzt_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
if(TARGET kaztoken-tool)
  install(FILES tools/kaztoken-tool/kaztoken-tool.bash-completion
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME kaztoken-tool COMPONENT tools)
  foreach(lang ru kk)
    install(FILES ${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES/kaztoken-tool.mo
            DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES COMPONENT tools)
  endforeach()
endif()
# each package's copyright and (compressed) changelog, as Debian's policy asks
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/deb/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/deb
  COMMAND ${GZIP} -9 -n -c ${CMAKE_CURRENT_LIST_DIR}/changelog > ${CMAKE_BINARY_DIR}/deb/changelog.gz
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/changelog VERBATIM)
add_custom_target(kaztoken-changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/deb/changelog.gz)
add_dependencies(kaztoken-sim kaztoken-changelog)
foreach(component module dev tools)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${CMAKE_BINARY_DIR}/deb/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${kzt_deb_${component}} COMPONENT ${component})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kaztoken-pkcs11)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "KAZTOKEN PKCS#11 authors <kaztoken-pkcs11@example.org>")
# (no CPACK_PACKAGE_DESCRIPTION_SUMMARY: each package's description starts with its own synopsis)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/kaztoken-pkcs11")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL module dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_MODULE_PACKAGE_NAME ${kzt_deb_module})
set(CPACK_DEBIAN_MODULE_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_MODULE_PACKAGE_RECOMMENDS "pcscd, p11-kit")
set(CPACK_DEBIAN_MODULE_DESCRIPTION "PKCS#11 module for the KAZTOKEN USB token
The PKCS#11 3.0 module that browsers, Java, OpenSSL, GnuTLS, OpenSSH and
signing applications load to use the electronic-signature keys on a KAZTOKEN,
the USB smart-card token used in Kazakhstan. It reaches tokens through PC/SC
or drives USB CCID readers itself, and registers with p11-kit.")
set(CPACK_DEBIAN_MODULE_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/deb/conffiles)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${kzt_deb_dev})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${kzt_deb_module} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION "headers of the KAZTOKEN PKCS#11 module
The PKCS#11 3.0 header and the Vendor KAZTOKEN interface of the KAZTOKEN
module, with a pkg-config file that also names the module's path.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME ${kzt_deb_tools})
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${kzt_deb_module} (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "KAZTOKEN control panel and virtual token
kaztoken-tool does on the command line what the vendor's control panel does:
tokens, PINs, names, formatting with policies, certificates, PKCS#12 import,
keys made on the token with a certificate request, and document signatures.
kaztoken-sim is a virtual KAZTOKEN for development and tests.")
include(CPack)
