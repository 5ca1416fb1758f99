# CPack: a Debian package of newbie-studio + newbie-cli for Debian 12 (bookworm) with the
# distribution's LibTorch 1.13 (CPU). From a build folder configured with NEWBIE_BUILD_GUI=ON:
#   ninja newbie-studio newbie-cli && cpack -G DEB      (inspect: dpkg-deb -c newbie-studio_*.deb)
# Runtime dependencies are the Debian packages we link; SHLIBDEPS adds anything missed when
# dpkg-shlibdeps is available (set NEWBIE_DEB_SHLIBDEPS=OFF to skip).
include(GNUInstallDirs)

install(FILES ${CMAKE_SOURCE_DIR}/packaging/io.github.newbie_studio.NewbieStudio.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/newbie-studio.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME io.github.newbie_studio.NewbieStudio.svg)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/io.github.newbie_studio.NewbieStudio.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

set(CPACK_PACKAGE_NAME "newbie-studio")
set(CPACK_PACKAGE_VENDOR "NewBie Studio")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Native desktop app and CLI for the NewBie-image-Exp0.1 anime image model")
set(CPACK_PACKAGE_DESCRIPTION
  "NewBie Studio runs the NewBie-image-Exp0.1 text-to-image model with a C++/LibTorch pipeline:\nan XML prompt editor, a job queue with live previews, a searchable history gallery and a GPU monitor.")
set(CPACK_PACKAGE_CONTACT "NewBie Studio developers <dev@newbie.studio>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "newbie-studio")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "amd64")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/newbie-studio/newbie-studio")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libtorch1.13, libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), libqt6widgets6 (>= 6.4), libqt6sql6-sqlite (>= 6.4), libqt6concurrent6 (>= 6.4), libqt6printsupport6 (>= 6.4), libqt6svg6, libqcustomplot2.1-qt6, libspdlog1.10, libfmt9, libpng16-16, libopenblas0-pthread | libopenblas0, libstdc++6, libgomp1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, fonts-noto-cjk | fonts-wqy-microhei")  # zh_CN needs a CJK font
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nvidia-driver")
option(NEWBIE_DEB_SHLIBDEPS "Let dpkg-shlibdeps add library dependencies" OFF)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ${NEWBIE_DEB_SHLIBDEPS})

include(CPack)
