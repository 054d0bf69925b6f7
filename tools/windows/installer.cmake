# The Windows installer (included by the top CMakeLists.txt in a Windows build):
# `cmake --build build-win --target installer` runs makensis (Debian's nsis) on
# tools/windows/kaztoken.nsi and writes kaztoken-pkcs11-VERSION-win64.exe.
find_program(KZT_MAKENSIS makensis)
set(kzt_installer ${CMAKE_BINARY_DIR}/kaztoken-pkcs11-${PROJECT_VERSION}-win64.exe)
if(KZT_MAKENSIS)
  add_custom_command(OUTPUT ${kzt_installer}
    COMMAND ${KZT_MAKENSIS} -V2 -DVERSION=${PROJECT_VERSION} -DBUILD=${CMAKE_BINARY_DIR}
            -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${kzt_installer} ${CMAKE_SOURCE_DIR}/tools/windows/kaztoken.nsi
    DEPENDS kaztoken-pkcs11 kaztoken-sim ${CMAKE_SOURCE_DIR}/tools/windows/kaztoken.nsi VERBATIM)
  add_custom_target(installer DEPENDS ${kzt_installer})
else()
  add_custom_target(installer COMMAND ${CMAKE_COMMAND} -E echo "makensis not found: install nsis" COMMAND false)
endif()
